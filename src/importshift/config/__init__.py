"""rules.yaml <-> RuleSet: locate, YAML tree, validation, resolution, cache, writer.

Loading rules never walks the repository.
"""
