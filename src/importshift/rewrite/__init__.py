"""LibCST rewriting: the move codemod and the runner for extra codemods."""
