// Package deploy holds no code, only the checks of the deployment files at the
// root of the repository: the Dockerfile, its .dockerignore and fly.toml. Its
// tests parse them as BuildKit and flyctl do and hold them to the server's own
// constants (port, shutdown grace, connection limit) and to the binary's real
// flags, so that a change on either side that breaks a deployment fails here.
//
// image-test.sh goes further: it builds the image from the unchanged Dockerfile
// with buildah and runs it with podman (root only; CI runs it).
package deploy
