"""From a question to ranked statements: text analysis, query parsing, index, ranking."""
