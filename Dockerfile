# Zerostale app image: one process serves the API, Socket.IO and the web app.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm install --no-audit --no-fund
COPY . .
RUN npx vite build --logLevel warn
EXPOSE 3000
# Node handles SIGTERM itself (graceful drain), so no init wrapper is needed.
CMD ["node", "scripts/start.mjs"]
