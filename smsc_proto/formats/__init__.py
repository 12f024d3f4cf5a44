"""Wire-format decoders shared by every op: text, delimited records, XML, JSON, files."""
