# Registers one keypair per team member from a map of public keys, named
# "<prefix>-<member>".
terraform {
  required_providers {
    nova = {
      source = "terraform-provider-nova/nova"
    }
  }
}

resource "nova_keypair" "member" {
  for_each = var.public_keys

  name       = "${var.prefix}-${each.key}"
  public_key = each.value

  lifecycle {
    precondition {
      condition     = can(regex("^[A-Za-z0-9 _-]+$", each.key))
      error_message = "Member names become keypair names: use letters, digits, space, _ and - only."
    }
  }
}
