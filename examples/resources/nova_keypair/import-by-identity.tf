# Adopt a keypair by its identity (Terraform and OpenTofu 1.12+): your own by name...
import {
  to = nova_keypair.deployer
  identity = {
    name = "example-deployer"
  }
}

# ...another user's with user_id; region names a region other than the provider's.
import {
  to = nova_keypair.alice
  identity = {
    name    = "example-alice-laptop"
    user_id = "99f09abef34647e094da0ffded5b0d62"
    region  = "RegionOne"
  }
}
