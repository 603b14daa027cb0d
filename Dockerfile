# vcdtpm's container image: `docker build -t vcdtpm:0.1.0 .` (the Helm chart's default image is vcdtpm:<appVersion>).
# Runs as the unprivileged user 1001 on a read-only root filesystem: only /tmp and the data dir are written.

# -- build: a wheel of vcdtpm and its dependencies --------------------------------------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY vcdtpm ./vcdtpm
COPY api ./api
RUN python -m venv /opt/vcdtpm \
 && /opt/vcdtpm/bin/pip install --upgrade pip \
 && /opt/vcdtpm/bin/pip install '.[postgres]'

# -- run ------------------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="vcdtpm" \
      org.opencontainers.image.description="vTPM-aware planning and provisioning for VMware Cloud Director" \
      org.opencontainers.image.version="0.1.0"
RUN groupadd --system --gid 1001 vcdtpm \
 && useradd --system --uid 1001 --gid 1001 --home-dir /var/lib/vcdtpm --no-create-home --shell /usr/sbin/nologin vcdtpm \
 && install -d -o 1001 -g 1001 -m 0750 /var/lib/vcdtpm
COPY --from=build /opt/vcdtpm /opt/vcdtpm
ENV PATH=/opt/vcdtpm/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/var/lib/vcdtpm \
    VCDTPM_DATA_DIR=/var/lib/vcdtpm
USER 1001:1001
WORKDIR /var/lib/vcdtpm
EXPOSE 8080
# /livez answers as soon as the process serves (Kubernetes uses the chart's probes instead).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/livez', timeout=4)"]
ENTRYPOINT ["vcdtpm"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
