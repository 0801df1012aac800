"""Moving in from WordPress or Disqus and out as WXR (see ARCHITECTURE.md, "Import and export")."""
