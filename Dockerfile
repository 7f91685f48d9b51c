# The app on CPU: docker build -t vae-explorer . && docker run -p 8501:8501 vae-explorer
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_FILE_WATCHER_TYPE=none

WORKDIR /app

# CPU-only torch first (the default wheels bundle CUDA, gigabytes the app never uses), then the rest.
COPY requirements.txt .
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.14.1 torchvision==0.29.1 \
    && pip install -r requirements.txt

RUN useradd --create-home --uid 1000 app
COPY app.py ./
COPY views/ views/
COPY vae_core/ vae_core/
COPY pretrained/ pretrained/
COPY lessons/ lessons/
COPY .streamlit/ .streamlit/
USER app

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0"]
