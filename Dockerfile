# regiongym for cluster sweeps (deploy/slurm, deploy/k8s). Node 20 as package.json's engines; the
# install is the README's: npm ci from package-lock.json (onnxruntime-node's CPU binaries come
# with its npm package). Data sets, the feature cache and runs live on mounted volumes.
FROM node:20-bookworm-slim
WORKDIR /opt/regiongym
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV REGIONGYM_CACHE=/cache REGIONGYM_CAMVID=/data/camvid
ENTRYPOINT ["npx", "regiongym"]
CMD ["--help"]
