# An image with tau installed, for both container modes:
#
#   docker build -t tau .          (or: podman build -t tau .)
#   tau --container tau            tools run in the container, tau on this machine
#   tau --container tau --deploy   tau itself runs in the container (tau acp over
#                                  stdin/stdout) and this terminal attaches to it
#
# The project is mounted at its own path at run time; nothing of it is baked in.
FROM python:3.11-slim

# git for checkpoints and the model's own use; bash for the bash tool; procps for kill.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git bash procps ca-certificates \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/tau
COPY requirements/runtime.lock requirements/runtime.lock
RUN pip install --no-cache-dir -r requirements/runtime.lock
COPY pyproject.toml README.md ./
COPY tau_cli tau_cli
RUN pip install --no-cache-dir --no-deps .

# Deploy mode runs "tau acp"; as a tools container tau starts its own keep-alive.
CMD ["tau", "acp"]
