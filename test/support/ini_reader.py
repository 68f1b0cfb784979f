# Reads INI texts (a JSON list on stdin) with Python's configparser as publisher_v2 does
# (inline comments after ; or #, basic interpolation, strict) and prints, for each, the error's
# class name or every section's options with their values ("!ERR" for a failed interpolation).
import configparser, json, sys

out = []
for text in json.load(sys.stdin):
    parser = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
    try:
        parser.read_string(text)
    except Exception as error:
        out.append({"error": type(error).__name__})
        continue
    sections = {}
    for section in parser.sections():
        sections[section] = {}
        for option in parser.options(section):
            try:
                sections[section][option] = parser.get(section, option)
            except Exception:
                sections[section][option] = "!ERR"
    out.append({"ok": sections})
json.dump(out, sys.stdout)
