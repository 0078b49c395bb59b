"""Where the tool's output lands: files, terminals, CI logs, web pages; each sink escapes or
guards what it writes."""
