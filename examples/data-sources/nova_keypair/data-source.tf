# Look up a keypair registered outside this configuration, e.g. to check
# that the expected key is in place before booting servers with it.
data "nova_keypair" "existing" {
  name = "example-existing"
}

output "existing_fingerprint" {
  value = data.nova_keypair.existing.fingerprint
}
