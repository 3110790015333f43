FROM python:3.11-slim
WORKDIR /srv/glossa
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-cache-dir -e .
COPY templates ./templates
COPY static ./static
COPY content ./content
ENV GLOSSA_CONTENT_DIR=/srv/glossa/content GLOSSA_DATA_DIR=/srv/glossa/data
RUN glossa build
EXPOSE 8000
CMD ["glossa", "serve", "--host", "0.0.0.0", "--port", "8000"]
