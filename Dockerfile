# syntax=docker/dockerfile:1
# One image for every CertTrack process: the web app (default command), the job worker and the
# one-shot migration (compose.yaml picks the command). See README "Production".

# --- build: all dependencies, the SvelteKit build, then only the run-time dependencies kept ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
# @node-rs/argon2 and PGlite ship prebuilt binaries; nothing is compiled here.
COPY package.json package-lock.json ./
COPY project.inlang ./project.inlang
COPY messages ./messages
RUN npm ci
COPY . .
RUN npm run i18n && npx svelte-kit sync && npm run build \
	&& npm prune --omit=dev --ignore-scripts \
	&& npm cache clean --force

# --- run: no compilers, no npm cache, a non-root user ---
FROM node:20-bookworm-slim AS run
ENV NODE_ENV=production \
	PORT=3000 \
	DATA_DIR=/data \
	EVIDENCE_DIR=/data/evidence \
	SHUTDOWN_BOUND_MS=10000
WORKDIR /app
RUN groupadd --system --gid 10001 certtrack \
	&& useradd --system --uid 10001 --gid certtrack --home-dir /app --shell /usr/sbin/nologin certtrack \
	&& mkdir -p /data/evidence && chown -R certtrack:certtrack /data
# The worker and the migrations run the TypeScript sources through tsx (a run-time dependency),
# the web app runs the build; both need the generated messages in src/lib/paraglide.
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json /app/tsconfig.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/build ./build
COPY --from=build --chown=root:root /app/src ./src
COPY --from=build --chown=root:root /app/db ./db
COPY --from=build --chown=root:root /app/jobs ./jobs
COPY --from=build --chown=root:root /app/scripts ./scripts
COPY --from=build --chown=root:root /app/messages ./messages
COPY --from=build --chown=root:root /app/.svelte-kit/tsconfig.json ./.svelte-kit/tsconfig.json
USER certtrack
VOLUME ["/data"]
EXPOSE 3000
# No curl in the slim image: Node's fetch asks /healthz, with its own short timeout.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
	CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1's child (compose sets init: true), so SIGTERM reaches its bounded stop;
# never `npm start` here: npm does not pass signals on reliably.
CMD ["node", "scripts/start.js"]
