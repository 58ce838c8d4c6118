"""HTTP plumbing shared by the JSON API, the staff pages and the partner portal."""
