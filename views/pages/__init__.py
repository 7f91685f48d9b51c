"""The app's pages, one module per page, each named after its URL path (`/mean` is mean.py)."""
