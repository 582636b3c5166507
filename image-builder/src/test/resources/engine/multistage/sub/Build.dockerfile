# A multi-stage build: base image from a build arg, a target stage, a build arg default overridden.
ARG BASE=scratch
FROM ${BASE} AS base
ARG GREETING=hello
RUN echo "$GREETING" > /greeting && uname -m > /arch

FROM base AS final
COPY hello.txt /opt/hello.txt
ENV MODE=final
CMD ["cat", "/greeting"]

FROM base AS other
RUN echo other > /other
