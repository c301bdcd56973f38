# An X.509 certificate (compute microversion 2.2), e.g. for Windows guests.
# Nova fingerprints it with SHA-1: compare with
# `openssl x509 -noout -fingerprint -sha1 -in deployer-cert.pem`.
resource "nova_keypair" "certificate" {
  name       = "example-certificate"
  type       = "x509"
  public_key = file("${path.module}/deployer-cert.pem")
}
