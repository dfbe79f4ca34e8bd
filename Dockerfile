# syntax=docker/dockerfile:1
# ttpc in a container: a build stage compiles the binary, the final image holds the binary only
# (distroless: glibc and CA certificates, no shell, no package manager), running as a non-root
# user. The image has no git: use --baseline FILE there, not --baseline-ref.
#
#   docker build -t ttpc .
#   docker run --rm -v "$PWD:/work" ttpc compile threat-model.yaml --fetch
#
# The test `ci_files::dockerfile_*` checks this file's structure and the binary it copies.

FROM rust:1.88-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin ttpc

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/ttpc /usr/local/bin/ttpc
USER 65532:65532
WORKDIR /work
ENV TTPC_CACHE=/tmp/ttpc-cache
ENTRYPOINT ["/usr/local/bin/ttpc"]
CMD ["--help"]
