# Register an existing public key (file() keeps the trailing newline; that
# is not a change).
resource "nova_keypair" "deployer" {
  name       = "example-deployer"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct deployer@example.com"
}

# Let the provider generate a key pair. It works on every cloud, also where
# Nova no longer generates keys (microversion 2.92+). The private key is
# kept in the Terraform state (marked sensitive): protect the state, or
# register a key made outside Terraform as above.
resource "nova_keypair" "generated" {
  name          = "example-generated"
  key_algorithm = "ed25519"
}

output "deployer_fingerprint" {
  value = nova_keypair.deployer.fingerprint
}
