# Glossa as an image: one node. compose.yaml runs three of them behind HAProxy on PostgreSQL and Redis.
#
#   docker build -t glossa .
#   docker run -p 8000:8000 -v glossa-state:/var/lib/glossa/state glossa                  # the shipped glossary
#   docker run -p 8000:8000 -v "$PWD/notes:/srv/glossa/content:ro" \
#       -e GLOSSA_STATE_DATABASE_URL=postgresql+psycopg://glossa:secret@db/glossa glossa   # your notes, shared state
#
# Mount points:
#   /srv/glossa/content    the Markdown notes (default: the shipped glossary); watched, so an edit
#                          on the mounted folder shows up without a restart; read-only is enough
#   /var/lib/glossa/state  learners' data when it is on SQLite (a volume: never in the image);
#                          unused with GLOSSA_STATE_DATABASE_URL
#   /var/lib/glossa/data   derived data (content store, search index), rebuilt from the content
#                          at start; a volume only saves that time

# -- build: the locked dependencies, hash-checked, into a virtual environment --------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/glossa
COPY requirements.lock deploy/requirements-nodes.lock /tmp/locks/
# The application's lock, and the PostgreSQL and Redis drivers a node of several needs.
RUN /opt/glossa/bin/pip install --require-hashes --no-deps \
        -r /tmp/locks/requirements.lock -r /tmp/locks/requirements-nodes.lock \
    && /opt/glossa/bin/pip check
# `glossa` without installing the project (which would fetch its build tools unpinned): the code
# runs from /srv/glossa, beside its templates and static files.
RUN printf '%s\n' '#!/opt/glossa/bin/python' 'import sys' 'from app.cli import main' 'sys.exit(main())' \
        > /opt/glossa/bin/glossa \
    && chmod 755 /opt/glossa/bin/glossa

# -- runtime: the environment and the code, nothing else ----------------------------------------
FROM python:3.11-slim AS runtime
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/glossa --shell /usr/sbin/nologin glossa \
    && mkdir -p /var/lib/glossa/data /var/lib/glossa/state \
    && chown -R glossa:glossa /var/lib/glossa
COPY --from=build /opt/glossa /opt/glossa
WORKDIR /srv/glossa
COPY app ./app
COPY templates ./templates
COPY static ./static
COPY content ./content
ENV PATH=/opt/glossa/bin:$PATH \
    PYTHONPATH=/srv/glossa \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GLOSSA_CONTENT_DIR=/srv/glossa/content \
    GLOSSA_DATA_DIR=/var/lib/glossa/data \
    GLOSSA_STATE_DIR=/var/lib/glossa/state
USER glossa
VOLUME ["/var/lib/glossa/state"]
EXPOSE 8000
# Alive (the process answers); a balancer asks /readyz, which also needs the state store.
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
CMD ["glossa", "serve", "--host", "0.0.0.0", "--port", "8000", "--watch"]
