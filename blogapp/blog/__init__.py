"""The public blog: home, posts, tags, authors, feed and sitemap."""
