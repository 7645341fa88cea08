# Chorus: the Node server with its embedded database (docs/operations.md).
# Its build steps are the commands the tests run: `npm ci` (.ci/run), `npm run build`, and the
# server started as tests/support/processes.ts starts it; tests/process/operations-files.test.ts holds
# the file to that and runs the start command and the health check.
FROM node:20-bookworm-slim

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

# The code stays root's (the server cannot rewrite it); only the database directory is writable.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME /app/data

# PUBLIC_URL has no default and must be given (`docker run -e PUBLIC_URL=https://go.acme.example`):
# links and redirects are built from it. Behind your own proxy, add `-e TRUST_PROXY=1`.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8787 \
    DATABASE_URL=file:/app/data/chorus.db
EXPOSE 8787

# Liveness only (/healthz: the process and its database answer); /readyz is for the load balancer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# SIGTERM (docker stop): finish open requests, flush clicks and running sends, close the database.
STOPSIGNAL SIGTERM
CMD ["node", "build/node.js"]
