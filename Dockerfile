# Zerostale app image: one process serves the API, Socket.IO and the web app.
# Built in one stage, run in another that holds only what the server needs at
# run time (no dev dependencies, no sources of the web app) and runs as `node`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npx vite build --logLevel warn && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 SKIP_WEB_BUILD=1
COPY --from=build /app/package.json /app/package-lock.json /app/tsconfig.json /app/prisma.config.ts ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/shared/src ./shared/src
COPY --from=build /app/server/src ./server/src
COPY --from=build /app/web/dist ./web/dist
# The embedded database (no DATABASE_URL) lives under ./data: the only place the app writes.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Node handles SIGTERM itself (graceful drain), so no init wrapper is needed.
CMD ["node", "scripts/start.mjs"]
