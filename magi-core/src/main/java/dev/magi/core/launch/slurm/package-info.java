/**
 * The {@code slurm} launcher's side of Slurm: its command line ({@code sbatch --parsable},
 * {@code squeue -h -o} with explicit formats, {@code scancel}), which works as an ordinary user on
 * every Slurm release and needs no REST daemon. Each command runs as a process without a shell, its
 * arguments a list, with a time limit and a bound on the output kept; what Slurm prints is parsed here
 * and nowhere else. The job script that runs {@code llama-server} on a node, the comment that marks a
 * job as this MAGI's, and the reading of a job's output file as the server's log live here too.
 */
package dev.magi.core.launch.slurm;
