# A team's public keys, registered by a module; its output maps each member
# to the fingerprint Nova computed.
terraform {
  required_providers {
    nova = {
      source = "terraform-provider-nova/nova"
    }
  }
}

module "platform_team" {
  source = "./modules/team_keys"

  prefix = "example-platform"
  public_keys = {
    alice = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct alice@example.com"
    bob   = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBAjIhNWT9oZueQXz4JnRXbfMhnLGiNfx3M+KDPyF6qNCjj6x6vsV3ElZXGif2BeJaJ22zXUjperoaDLiRAa2YXs= bob@example.com"
  }
}

output "fingerprints" {
  value = module.platform_team.fingerprints
}
