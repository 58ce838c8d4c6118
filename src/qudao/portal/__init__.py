"""The partner portal: pages for the people of a partner company, scoped to it."""
