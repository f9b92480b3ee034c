# The one image every ggzy role runs from: migrator, web workers, scheduler.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 GGZY_DATA_DIR=/data
WORKDIR /srv/ggzy
COPY pyproject.toml README.md ./
COPY app ./app
COPY bidding ./bidding
COPY credit ./credit
COPY experts ./experts
COPY migrations ./migrations
RUN pip install --no-cache-dir . && useradd --system --home /srv/ggzy ggzy && mkdir -p /data && chown ggzy /data
USER ggzy
EXPOSE 8000
CMD ["ggzy", "serve", "--host", "0.0.0.0", "--port", "8000"]
