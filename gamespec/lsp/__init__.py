"""`gamespec lsp`: a language server for .game specs (diagnostics from the same checks as
`gamespec check`, hover, definitions, references, completion, outline), on pygls."""
