/** Deterministic sample JPEG "photos" (implemented in `photos.ts`). */
export { generateSamplePhotos as generateSampleImages, type SamplePhoto as SampleImage } from "./photos.js"
