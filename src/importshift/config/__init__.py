"""rules.yaml <-> RuleSet: locate, YAML tree, validation, resolution, cache, writer. Never walks the repository."""
