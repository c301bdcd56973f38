# The demo that `make demo` applies against the dev cloud: register an SSH
# public key with Nova and show the fingerprint Nova computed for it.
#
# With no provider block, the provider reads its settings from OS_CLOUD and
# clouds.yaml (or the OS_* variables), as the openstack CLI does.

terraform {
  required_providers {
    nova = {
      source = "terraform-provider-nova/nova"
    }
  }
}

variable "public_key_file" {
  description = "Path of the OpenSSH public key to register."
  type        = string
}

variable "name" {
  description = "Name of the keypair in Nova."
  type        = string
  default     = "nova-demo"
}

resource "nova_keypair" "demo" {
  name       = var.name
  public_key = file(var.public_key_file)
}

output "name" {
  value = nova_keypair.demo.name
}

output "fingerprint" {
  description = "MD5 fingerprint Nova computed; compare with `ssh-keygen -l -E md5 -f <public_key_file>`."
  value       = nova_keypair.demo.fingerprint
}
