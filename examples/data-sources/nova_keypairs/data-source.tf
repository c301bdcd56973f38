# Every keypair of the authenticated user, however many: the provider reads
# all of Nova's pages.
data "nova_keypairs" "all" {}

# Audit: keypairs whose name follows a team convention.
data "nova_keypairs" "ops" {
  name_regex = "^example-"
}

output "keypair_names" {
  value = data.nova_keypairs.all.names
}

output "ops_fingerprints" {
  value = { for k in data.nova_keypairs.ops.keypairs : k.name => k.fingerprint }
}
