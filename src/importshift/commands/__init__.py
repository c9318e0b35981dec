"""One module per subcommand; each takes options and an Output and returns an exit code."""
