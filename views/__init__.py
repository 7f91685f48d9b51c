"""The Streamlit side: the app's pages (views.pages) and the helpers they share, which call vae_core."""
