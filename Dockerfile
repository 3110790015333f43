FROM python:3.11-slim
WORKDIR /srv/glossa
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir --no-deps -e .
COPY templates ./templates
COPY static ./static
COPY content ./content
# Derived data is built at start (a few seconds); learners' data lives in a volume, never in
# the image: a new image must never replace it.
RUN useradd --system --home-dir /var/lib/glossa glossa \
    && mkdir -p /var/lib/glossa/data /var/lib/glossa/state && chown -R glossa /var/lib/glossa
ENV GLOSSA_CONTENT_DIR=/srv/glossa/content \
    GLOSSA_DATA_DIR=/var/lib/glossa/data \
    GLOSSA_STATE_DIR=/var/lib/glossa/state
USER glossa
VOLUME /var/lib/glossa/state
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/status', timeout=4)"
CMD ["glossa", "serve", "--host", "0.0.0.0", "--port", "8000"]
