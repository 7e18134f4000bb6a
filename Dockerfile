# Zerostale app image: one process serves the API, Socket.IO and the web app.
# Two stages: `build` installs every dependency and compiles the web app (web/dist)
# and the server (dist/server, plain JavaScript); the final image installs
# production dependencies only (no TypeScript runner, Vite or Prisma CLI) and runs
# the compiled server with node. Migrations are applied by the server at start
# (server/src/db/migrate.ts reads prisma/migrations), so the image keeps that folder.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
# `postinstall` runs `prisma generate` (the client is compiled into dist/server).
RUN npm install --no-audit --no-fund
COPY . .
RUN npx vite build --logLevel warn && node scripts/build-server.mjs

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY package.json package-lock.json ./
# --ignore-scripts: `postinstall` (prisma generate) needs the dev-only Prisma CLI, and the
# generated client is already inside the compiled server. --legacy-peer-deps: @prisma/client
# names the Prisma CLI and TypeScript as optional peers, which npm would otherwise install
# (the lock marks them devOptional); without them node_modules is 148 MB instead of 275 MB.
RUN npm install --omit=dev --ignore-scripts --legacy-peer-deps --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY prisma/migrations ./prisma/migrations
# The embedded mode (no DATABASE_URL) keeps its database under ./data.
RUN mkdir -p data && chown node:node data
EXPOSE 3000
USER node
# Node handles SIGTERM itself (graceful drain), so no init wrapper is needed.
# `node dist/server/db/seed.cli.js` loads the demo data, `node dist/server/db/migrate.cli.js` migrates.
CMD ["node", "dist/server/server.js"]
