# An admin registers a key for another user (compute microversion 2.10).
# The keypair belongs to that user: it is theirs to boot servers with.
resource "nova_keypair" "alice" {
  name       = "example-alice-laptop"
  user_id    = "99f09abef34647e094da0ffded5b0d62"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJfjmIX0A6wjd1DtL2qjYEg7CEaamg4uYkUjKFvir+Ct alice@laptop"
}
