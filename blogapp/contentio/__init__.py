"""Posts as Markdown files with front matter: the demo site and an import/export format."""
