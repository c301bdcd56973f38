# Moving a keypair from terraform-provider-openstack's
# openstack_compute_keypair_v2 to nova_keypair, without touching the keypair
# in Nova:
#
#   1. Take it out of the openstack provider's management:
#        terraform state rm openstack_compute_keypair_v2.deployer
#      (or, Terraform 1.7+, a `removed { from = ... lifecycle { destroy = false } }` block)
#      and delete its resource block.
#   2. Declare it as a nova_keypair with the same name and key, and adopt it
#      with an import block. The plan shows one import and no change.
#
# Keypairs the incumbent generated (no public_key in its configuration)
# import the same way with public_key omitted; their private key stays
# wherever the old state kept it: Nova never returns it.
terraform {
  required_providers {
    nova = {
      source = "terraform-provider-nova/nova"
    }
  }
}

import {
  to = nova_keypair.deployer
  id = "example-migrated-deployer"
}

resource "nova_keypair" "deployer" {
  name       = "example-migrated-deployer"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct deployer@example.com"
}
