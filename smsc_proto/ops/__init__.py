"""One module per API area; each defines its ops and their result structs."""
