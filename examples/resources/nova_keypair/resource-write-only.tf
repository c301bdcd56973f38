# A key pair whose private half never touches the Terraform state or plan
# (Terraform 1.11+, OpenTofu 1.11+). The ephemeral resource makes the key
# pair in memory; the secret store keeps the private key through its own
# write-only argument; Nova gets the public key through public_key_wo.
# Bump deploy_key_version to rotate: a new key pair, a new secret version
# and a new keypair, made before the old keypair is deleted.

terraform {
  required_providers {
    nova      = { source = "terraform-provider-nova/nova" }
    tls       = { source = "hashicorp/tls", version = ">= 4.1.0" }   # ephemeral tls_private_key
    vault     = { source = "hashicorp/vault", version = ">= 5.0.0" } # write-only data_json_wo
    openstack = { source = "terraform-provider-openstack/openstack" }
  }
}

variable "deploy_key_version" {
  description = "Change it to rotate the deploy key."
  type        = number
  default     = 1
}

ephemeral "tls_private_key" "deploy" {
  algorithm = "ED25519"
}

# The private key is stored under the keypair's name. The keypair can be
# made again for other reasons than a new version (deleted outside
# Terraform, -replace, a new region), each time from a new ephemeral key
# pair and with a new name: the secret then moves with it, so the store
# always holds the private key of the keypair Nova has.
resource "vault_kv_secret_v2" "deploy_key" {
  mount                = "secret"
  name                 = "openstack/${nova_keypair.deploy.name}"
  data_json_wo         = jsonencode({ private_key = ephemeral.tls_private_key.deploy.private_key_openssh })
  data_json_wo_version = var.deploy_key_version
}

resource "nova_keypair" "deploy" {
  name_prefix           = "deploy-"
  public_key_wo         = ephemeral.tls_private_key.deploy.public_key_openssh
  public_key_wo_version = var.deploy_key_version

  lifecycle {
    create_before_destroy = true
  }
}

resource "openstack_compute_instance_v2" "web" {
  name        = "web-1"
  image_name  = "debian-13"
  flavor_name = "m1.small"
  key_pair    = nova_keypair.deploy.name

  network {
    name = "private"
  }

  # Nova puts the key on a server when it boots it, and a new key_pair
  # means a new server. Keep the running server through a rotation (its
  # authorized_keys keep the old key until you change them); remove this
  # to rebuild the server with every new key instead.
  lifecycle {
    ignore_changes = [key_pair]
  }
}

output "deploy_key_secret" {
  description = "Where the deploy key's private half is: vault kv get -mount=secret <this>."
  value       = vault_kv_secret_v2.deploy_key.name
}
