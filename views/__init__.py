"""The Streamlit views: each module arranges widgets for one page and calls vae_core."""
