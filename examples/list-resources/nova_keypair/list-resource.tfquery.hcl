# The keypairs of the authenticated user whose names start with "ci-"
# (terraform query, Terraform 1.14+; leave out `config` to list them all).
# `terraform query -generate-config-out=keypairs.tf` writes an import block
# and a nova_keypair for each; `terraform apply` then adopts them.
list "nova_keypair" "mine" {
  provider = nova
  config {
    name_regex = "^ci-"
  }
}

# Another user's keypairs (admins).
list "nova_keypair" "theirs" {
  provider = nova
  config {
    user_id    = "99f09abef34647e094da0ffded5b0d62"
    name_regex = "^ci-"
  }
}
