# Register an existing public key.
resource "nova_keypair" "deployer" {
  name       = "example-deployer"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct deployer@example.com"
}

# Let the provider generate a key pair. The private key is kept in the
# Terraform state (marked sensitive): protect the state, or register a key
# made outside Terraform as above.
resource "nova_keypair" "generated" {
  name = "example-generated"
}

output "deployer_fingerprint" {
  value = nova_keypair.deployer.fingerprint
}
