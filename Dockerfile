# syntax=docker/dockerfile:1
# The `driftmend` command in a small image for Kubernetes CronJobs/Jobs,
# Argo and Airflow's KubernetesPodOperator (see examples/ and
# docs/install.md). Two stages: a Rust toolchain builds the release binary;
# the runtime is Debian slim with CA certificates (HTTPS to MLflow, GitHub,
# S3), the binary and a non-root user.
#
#   docker build -t driftmend .
#   docker run --rm -v "$PWD/data:/data" driftmend report -r /data/ref.parquet -c /data/cur.parquet

ARG RUST_VERSION=1.89
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-slim-${DEBIAN_RELEASE} AS build
WORKDIR /src
# Dependencies first, so a source change does not rebuild polars: build
# against stub sources, then the real ones.
COPY Cargo.toml Cargo.lock ./
COPY python/Cargo.toml python/Cargo.toml
RUN mkdir -p src python/src \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs python/src/lib.rs \
    && cargo build --release --locked --bin driftmend \
    && rm -rf src
COPY src src
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin driftmend \
    && install -D -m 0755 target/release/driftmend /out/driftmend

FROM debian:${DEBIAN_RELEASE}-slim AS runtime
# Unpinned on purpose: CA certificates and time zones should be current.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 driftmend \
    && useradd --uid 10001 --gid driftmend --create-home --home-dir /home/driftmend --shell /usr/sbin/nologin driftmend \
    && install -d -o driftmend -g driftmend /work
COPY --from=build /out/driftmend /usr/local/bin/driftmend
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["driftmend"]
CMD ["--help"]
