# syntax=docker/dockerfile:1
# heartwave serve: the HTTP API and the web page in one small Debian image.
#   docker build -t heartwave .
#   docker run --rm -p 8000:8000 heartwave
# Three stages: `build` compiles the program with the project's own
# scripts/setup.sh (the one list of build packages, shared with the README and
# CI), `web` builds the page, the final stage holds only the runtime shared
# libraries, the program, the page and the shipped models. docs/container.md
# explains the choices and estimates the image size.

ARG DEBIAN_IMAGE=debian:12
ARG RUNTIME_IMAGE=debian:12-slim
# The page's build tools (Vite 8, rolldown) need Node.js ^20.19 or >= 22.12;
# bookworm's nodejs is 18.20, trixie's (Debian 13) is 20.19. Only this stage
# uses it: its output is static files. With a page that builds on Node 18,
# pass --build-arg WEB_IMAGE=debian:12.
ARG WEB_IMAGE=debian:13-slim

# ---------------------------------------------------------------- build
FROM ${DEBIAN_IMAGE} AS build
ARG DEBIAN_FRONTEND=noninteractive
WORKDIR /usr/src/heartwave
# setup.sh alone first, so that its (large) package layer is rebuilt only
# when the package list changes. git: the build records its commit
# (cmake/git_info.cmake); without it the version says "unknown".
COPY scripts/setup.sh scripts/setup.sh
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends git ca-certificates >/dev/null \
 && bash scripts/setup.sh
COPY . .
# ccache (the presets' compiler launcher) keeps its cache in a BuildKit cache
# mount: rebuilds after a source change recompile only what changed.
RUN --mount=type=cache,target=/root/.cache/ccache \
    git config --global --add safe.directory /usr/src/heartwave \
 && cmake --preset release \
 && cmake --build --preset release --target heartwave \
 && ./build/release/heartwave --version \
 && echo "runtime libraries of the program:" && ldd build/release/heartwave

# ---------------------------------------------------------------- web
FROM ${WEB_IMAGE} AS web
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends nodejs npm ca-certificates >/dev/null \
 && node --version && npm --version
WORKDIR /usr/src/heartwave/web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build && test -f dist/index.html

# ---------------------------------------------------------------- runtime
FROM ${RUNTIME_IMAGE}
# EDF/BDF uploads are read through libbiosig (dlopen'ed at run time); it and
# its DICOM toolkit dependency add about 69 MB. --build-arg HEARTWAVE_EDF=0
# leaves it out (WFDB and CSV uploads still work, EDF answers an error).
ARG HEARTWAVE_EDF=1
ARG DEBIAN_FRONTEND=noninteractive
# Runtime libraries of build/release/heartwave (ldd, then dpkg -S):
#   libxgboost.so.0 libxgboost0 | libdmlc.so.0 libdmlc0 | libgomp.so.1 libgomp1
#   libssl.so.3 libcrypto.so.3 libssl3 | libsoxr.so.0 libsoxr0 | libspdlog.so.1.10 libspdlog1.10
#   libfmt.so.9 libfmt9 | libcpp-httplib.so.0.11 libcpp-httplib0.11 | libbrotli*.so.1 libbrotli1 (its dependency)
#   libsqlite3.so.0 libsqlite3-0 | libpq.so.5 libpq5 (brings its Kerberos/LDAP libraries) | libyaml-cpp.so.0.7 libyaml-cpp0.7
#   libstdc++6 libgcc-s1 libc6 zlib1g (libz.so.1): already in debian:12-slim.
# curl: the HEALTHCHECK (its libcurl4 is also what `heartwave data fetch` dlopens).
RUN set -eu; \
    pkgs="libxgboost0 libdmlc0 libgomp1 libssl3 libsoxr0 libspdlog1.10 libfmt9 libcpp-httplib0.11 libsqlite3-0 libpq5 libyaml-cpp0.7 curl"; \
    if [ "$HEARTWAVE_EDF" = 1 ]; then pkgs="$pkgs libbiosig3"; fi; \
    apt-get update -qq; \
    apt-get install -y -qq --no-install-recommends $pkgs >/dev/null; \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb; \
    useradd --system --uid 10001 --user-group --home-dir /nonexistent --no-create-home \
            --shell /usr/sbin/nologin heartwave

COPY --from=build /usr/src/heartwave/build/release/heartwave /usr/local/bin/heartwave
COPY --from=web /usr/src/heartwave/web/dist/ /usr/share/heartwave/web/
COPY models/*.hwm /usr/share/heartwave/models/
# The program's compiled-in defaults point into its source tree
# (/usr/src/heartwave/models/*.hwm): a link keeps them valid too.
RUN set -eu; \
    mkdir -p /usr/src/heartwave; \
    ln -s /usr/share/heartwave/models /usr/src/heartwave/models; \
    if ldd /usr/local/bin/heartwave | grep 'not found'; then echo "missing runtime library" >&2; exit 1; fi; \
    heartwave --version

# serve's models (the first the default) and the other commands' default model
ENV HEARTWAVE_MODELS=/usr/share/heartwave/models/default.hwm,/usr/share/heartwave/models/one-lead.hwm,/usr/share/heartwave/models/window-only.hwm \
    HEARTWAVE_MODEL=/usr/share/heartwave/models/default.hwm
USER heartwave:heartwave
WORKDIR /tmp
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8000/health || exit 1
ENTRYPOINT ["heartwave", "serve", "--host", "0.0.0.0", "--port", "8000", "--web-dir", "/usr/share/heartwave/web"]
