# Adopt a keypair that already exists (Terraform 1.5+): your own by name...
import {
  to = nova_keypair.deployer
  id = "example-deployer"
}

# ...or another user's by user_id/name.
import {
  to = nova_keypair.alice
  id = "99f09abef34647e094da0ffded5b0d62/example-alice-laptop"
}
