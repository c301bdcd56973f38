locals {
  deployer_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct deployer@example.com"
}

# The fingerprint Nova will compute for a key, known before any request:
# 70:82:84:6d:6d:6d:1d:6e:ac:33:55:0f:e9:21:11:da
output "deployer_fingerprint" {
  value = provider::nova::fingerprint(local.deployer_key)
}
